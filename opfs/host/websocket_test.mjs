// opfs.websocket: the bridge's WebSocket endpoint (websocket.mjs) against
// hand-made client frames (RFC 6455): the opening handshake's accept value
// (section 1.3's example key), masked frames (section 5.3), a fragmented
// binary message with a ping between its fragments (sections 5.4, 5.5.2),
// 16- and 64-bit lengths (section 5.2), an unmasked frame refused with 1002
// (section 5.1), a close answered with a close (section 5.5.1).
//   node opfs/host/websocket_test.mjs        exit 0 when every check holds
import http from 'node:http';
import net from 'node:net';
import {randomBytes} from 'node:crypto';

import {acceptWebSocket} from './websocket.mjs';

let bad = 0;
function check(what, ok, detail = '') {
  console.log(`${ok ? 'ok  ' : 'BAD '} ${what}${detail ? ': ' + detail : ''}`);
  if (!ok) ++bad;
}

// A client frame: FIN, opcode, masked payload (or not, when mask is false).
function frame(op, payload, {fin = true, mask = true} = {}) {
  const n = payload.length;
  const len = n < 126 ? [n] : n < 65536 ? [126, n >> 8, n & 255] : [127, 0, 0, 0, 0, ...[24, 16, 8, 0].map((s) => (n >>> s) & 255)];
  const head = Buffer.from([(fin ? 0x80 : 0) | op, (mask ? 0x80 : 0) | len[0], ...len.slice(1)]);
  if (!mask) return Buffer.concat([head, payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < n; ++i) body[i] ^= key[i & 3];
  return Buffer.concat([head, key, body]);
}

// Server frames, parsed (unmasked, section 5.1).
function parseFrames(buf) {
  const out = [];
  let p = 0;
  while (p + 2 <= buf.length) {
    let len = buf[p + 1] & 0x7f, h = 2;
    if (len === 126) { len = buf.readUInt16BE(p + 2); h = 4; }
    else if (len === 127) { len = Number(buf.readBigUInt64BE(p + 2)); h = 10; }
    if (p + h + len > buf.length) break;
    out.push({op: buf[p] & 0x0f, fin: (buf[p] & 0x80) !== 0, data: buf.subarray(p + h, p + h + len)});
    p += h + len;
  }
  return out;
}

const server = http.createServer();
const received = [];
server.on('upgrade', (req, socket, head) => {
  const ws = acceptWebSocket(req, socket, head, {maxMessage: 1 << 20});
  if (!ws) return;
  ws.on('message', (data, binary) => {
    received.push({data, binary});
    ws.sendBinary(data);  // echo
  });
  ws.on('close', (code) => received.push({close: code}));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;

async function session(steps) {
  const sock = net.connect(port, '127.0.0.1');
  let got = Buffer.alloc(0);
  sock.on('data', (d) => { got = Buffer.concat([got, d]); });
  await new Promise((r) => sock.on('connect', r));
  // Section 1.3's example: key dGhlIHNhbXBsZSBub25jZQ== -> s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
  sock.write('GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
             'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  await new Promise((r) => setTimeout(r, 100));
  const headEnd = got.indexOf('\r\n\r\n');
  const head = got.subarray(0, headEnd).toString();
  got = got.subarray(headEnd + 4);
  for (const s of steps) sock.write(s);
  await new Promise((r) => setTimeout(r, 200));
  sock.destroy();
  return {head, frames: parseFrames(got)};
}

const r1 = await session([
  frame(2, Buffer.from('hello')),
  frame(2, Buffer.from('frag-'), {fin: false}),
  frame(9, Buffer.from('ping!')),
  frame(0, Buffer.from('ment-'), {fin: false}),
  frame(0, Buffer.from('ed'), {fin: true}),
  frame(2, Buffer.alloc(300, 7)),
  frame(2, Buffer.alloc(70000, 9)),
  frame(8, Buffer.from([0x03, 0xe8])),
]);
check('handshake accept value (RFC 6455 section 1.3 example)', r1.head.includes('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo='));
check('101 Switching Protocols', r1.head.startsWith('HTTP/1.1 101'));
const msgs = received.filter((m) => m.data).map((m) => m.data);
check('a masked message', msgs[0] && msgs[0].toString() === 'hello');
check('a fragmented message, a ping between its fragments', msgs[1] && msgs[1].toString() === 'frag-ment-ed');
check('16-bit length', msgs[2] && msgs[2].length === 300 && msgs[2].every((v) => v === 7));
check('64-bit length', msgs[3] && msgs[3].length === 70000 && msgs[3].every((v) => v === 9));
const ops = r1.frames.map((f) => f.op);
check('the ping is answered by a pong with its data', r1.frames.some((f) => f.op === 10 && f.data.toString() === 'ping!'));
check('echoes are unmasked binary frames', r1.frames.filter((f) => f.op === 2).length === 4 &&
      r1.frames.find((f) => f.op === 2).data.toString() === 'hello');
check('a close is answered with a close (1000)', ops[ops.length - 1] === 8 && r1.frames[r1.frames.length - 1].data.readUInt16BE(0) === 1000);

received.length = 0;
const r2 = await session([frame(2, Buffer.from('plain'), {mask: false})]);
const closeFrame = r2.frames.find((f) => f.op === 8);
check('an unmasked client frame closes with 1002', closeFrame && closeFrame.data.readUInt16BE(0) === 1002 &&
      !received.some((m) => m.data), closeFrame ? String(closeFrame.data.readUInt16BE(0)) : 'no close');

received.length = 0;
const r3 = await session([frame(2, Buffer.alloc(2 << 20), {fin: true})]);
const big = r3.frames.find((f) => f.op === 8);
check('a message above the limit closes with 1009', big && big.data.readUInt16BE(0) === 1009);

server.close();
process.exit(bad ? 1 : 0);
