module.exports = { ...require('../../jest.preset.js'), displayName: 'miner', rootDir: __dirname };
