module.exports = { ...require('../../jest.preset.js'), displayName: 'importers', rootDir: __dirname };
