module.exports = { ...require('../../jest.preset.js'), displayName: 'eventlog', rootDir: __dirname };
