// js-ipfs 0.66.1 (through its libp2p dependencies) calls Promise.withResolvers, which
// Node 20 lacks; this polyfill is loaded with `node --import` before the daemon starts.
if (typeof Promise.withResolvers !== "function") {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
