module.exports = { ...require('../../jest.preset.js'), displayName: 'mining', rootDir: __dirname };
