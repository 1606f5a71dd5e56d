// The C API of p9::wasi::Host (api.cc) as seen from other C++ in the same
// Emscripten module: which store p9w_init puts the Host's preopen on.
#pragma once

namespace p9::model {
class Model;
}

namespace p9::wasi::api {

// From now on p9w_init makes the Host on `store` (not owned; its preopen
// directory is looked up there, made when absent, so a store that persists
// keeps what earlier programs wrote). nullptr: p9w_init makes a fresh model
// of its own (the node runner, p9wasi). Either way the current Host, if any,
// is dropped (its open files closed): call it with nullptr before `store`
// goes away.
void use_store(model::Model* store);

}  // namespace p9::wasi::api
