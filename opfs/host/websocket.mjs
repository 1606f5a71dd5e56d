// A minimal WebSocket server endpoint (RFC 6455), enough for the bridge: the
// opening handshake (section 4.2), framing with masking and fragmentation
// (sections 5.1-5.5), ping/pong and close (section 5.5). No extensions, no
// subprotocols. Node 20, no dependencies.
import {createHash} from 'node:crypto';
import {EventEmitter} from 'node:events';

// Section 1.3: the GUID appended to Sec-WebSocket-Key before hashing.
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP = {CONT: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa};

// Answers an HTTP Upgrade request (node 'upgrade' event) with 101 Switching
// Protocols (section 4.2.2) and returns the connection, or refuses with 400.
export function acceptWebSocket(req, socket, head, {maxMessage = 64 << 20} = {}) {
  const key = req.headers['sec-websocket-key'];
  const version = req.headers['sec-websocket-version'];
  const upgrade = String(req.headers.upgrade || '').toLowerCase();
  // Section 4.2.1: a GET with Upgrade: websocket, a 16-byte base64 key, version 13.
  if (req.method !== 'GET' || upgrade !== 'websocket' || !key || Buffer.from(key, 'base64').length !== 16 ||
      version !== '13') {
    socket.end('HTTP/1.1 400 Bad Request\r\nSec-WebSocket-Version: 13\r\nConnection: close\r\n\r\n');
    return null;
  }
  const accept = createHash('sha1').update(key + GUID).digest('base64');
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
               `Sec-WebSocket-Accept: ${accept}\r\n\r\n`);
  return new WebSocketConnection(socket, head, maxMessage);
}

// Events: 'message' (data: Buffer, binary: boolean), 'close' (code, reason).
export class WebSocketConnection extends EventEmitter {
  constructor(socket, head, maxMessage) {
    super();
    this.socket = socket;
    this.maxMessage = maxMessage;
    this.buf = head && head.length ? Buffer.from(head) : Buffer.alloc(0);
    this.fragments = null;  // the data frames of a fragmented message so far
    this.fragOp = 0;
    this.fragLen = 0;
    this.closed = false;
    this.closeSent = false;
    socket.setNoDelay(true);
    // Received bytes wait in `pending` until the frame being read is whole
    // (`need` bytes), so a large frame arriving in many pieces is joined once.
    this.pending = [];
    this.pendingLen = 0;
    this.need = 0;
    socket.on('data', (d) => {
      this.pending.push(d);
      this.pendingLen += d.length;
      if (this.buf.length + this.pendingLen < this.need) return;
      this.buf = Buffer.concat([this.buf, ...this.pending]);
      this.pending = [];
      this.pendingLen = 0;
      this.parse();
    });
    socket.on('close', () => this.finish(1006, 'connection lost'));
    socket.on('error', () => {});
    if (this.buf.length) setImmediate(() => this.parse());
  }

  get open() { return !this.closed && !this.closeSent; }

  sendBinary(data) { this.sendFrame(OP.BINARY, data); }
  sendText(text) { this.sendFrame(OP.TEXT, Buffer.from(text, 'utf8')); }

  // Section 5.5.1: a Close frame carries an optional 2-byte status code and reason.
  close(code = 1000, reason = '') {
    if (this.closeSent || this.closed) return;
    const r = Buffer.from(reason, 'utf8').subarray(0, 123);
    const body = Buffer.alloc(2 + r.length);
    body.writeUInt16BE(code, 0);
    r.copy(body, 2);
    this.sendFrame(OP.CLOSE, body);
    this.closeSent = true;
    // Section 7.1.1: the server closes the TCP connection first; allow the
    // peer a moment to answer with its own Close.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  // Section 5.2: FIN=1, no RSV bits, the server's frames are not masked
  // (section 5.1), payload length in 7, 7+16 or 7+64 bits.
  sendFrame(op, data) {
    if (this.closeSent || this.closed) return;
    const n = data.length;
    let header;
    if (n < 126) {
      header = Buffer.from([0x80 | op, n]);
    } else if (n < 65536) {
      header = Buffer.alloc(4);
      header[0] = 0x80 | op;
      header[1] = 126;
      header.writeUInt16BE(n, 2);
    } else {
      header = Buffer.alloc(10);
      header[0] = 0x80 | op;
      header[1] = 127;
      header.writeBigUInt64BE(BigInt(n), 2);
    }
    this.socket.cork();
    this.socket.write(header);
    this.socket.write(data);
    this.socket.uncork();
  }

  fail(code, reason) {  // section 7.1.7: _Fail the WebSocket Connection_
    this.close(code, reason);
    this.finish(code, reason);
  }

  finish(code, reason) {
    if (this.closed) return;
    this.closed = true;
    this.emit('close', code, reason);
  }

  parse() {
    while (!this.closed) {
      const b = this.buf;
      this.need = 0;
      if (b.length < 2) return;
      const fin = (b[0] & 0x80) !== 0;
      const rsv = b[0] & 0x70;
      const op = b[0] & 0x0f;
      const masked = (b[1] & 0x80) !== 0;
      let len = b[1] & 0x7f;
      let p = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        p = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        const big = b.readBigUInt64BE(2);
        if (big > BigInt(this.maxMessage)) return this.fail(1009, 'message too big');
        len = Number(big);
        p = 10;
      }
      // Section 5.2: RSV bits must be 0 without a negotiated extension;
      // section 5.1: a client's frames are masked, else the server closes.
      if (rsv) return this.fail(1002, 'reserved bits set');
      if (!masked) return this.fail(1002, 'client frame not masked');
      const control = (op & 0x8) !== 0;
      // Section 5.5: control frames have at most 125 bytes and are not fragmented.
      if (control && (len > 125 || !fin)) return this.fail(1002, 'bad control frame');
      if (!control && len + this.fragLen > this.maxMessage) return this.fail(1009, 'message too big');
      if (b.length < p + 4 + len) {
        this.need = p + 4 + len;
        return;
      }
      const key = b.subarray(p, p + 4);
      const data = Buffer.from(b.subarray(p + 4, p + 4 + len));  // a copy: unmasked in place
      // Section 5.3: octet i is XORed with masking-key octet i mod 4.
      for (let i = 0; i < len; ++i) data[i] ^= key[i & 3];
      this.buf = b.subarray(p + 4 + len);
      if (control) {
        this.control(op, data);
        continue;
      }
      // Section 5.4: a fragmented message is a first frame with its opcode and
      // FIN=0, then continuation frames (opcode 0), the last with FIN=1.
      if (op === OP.CONT) {
        if (!this.fragments) return this.fail(1002, 'continuation without a first frame');
        this.fragments.push(data);
        this.fragLen += len;
        if (!fin) continue;
        const whole = Buffer.concat(this.fragments, this.fragLen);
        const binary = this.fragOp === OP.BINARY;
        this.fragments = null;
        this.fragLen = 0;
        this.emit('message', whole, binary);
      } else if (op === OP.TEXT || op === OP.BINARY) {
        if (this.fragments) return this.fail(1002, 'new message inside a fragmented one');
        if (fin) {
          this.emit('message', data, op === OP.BINARY);
        } else {
          this.fragments = [data];
          this.fragOp = op;
          this.fragLen = len;
        }
      } else {
        return this.fail(1002, `unknown opcode ${op}`);
      }
    }
  }

  control(op, data) {
    if (op === OP.PING) {
      this.sendFrame(OP.PONG, data);  // section 5.5.2: a Pong with the Ping's data
    } else if (op === OP.CLOSE) {
      // Section 5.5.1: answer a Close with a Close (echoing the code), then
      // the connection is closed.
      const code = data.length >= 2 ? data.readUInt16BE(0) : 1005;
      const reason = data.length > 2 ? data.subarray(2).toString('utf8') : '';
      if (!this.closeSent) this.close(code === 1005 || code === 1006 ? 1000 : code, '');
      this.socket.end();
      this.finish(code, reason);
    } else if (op !== OP.PONG) {
      this.fail(1002, `unknown control opcode ${op}`);
    }
  }
}
