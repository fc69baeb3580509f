module.exports = async () => {
  await globalThis.__loopwrightNats?.stop();
};
