module.exports = { ...require('../../jest.preset.js'), displayName: 'deployment', rootDir: __dirname };
