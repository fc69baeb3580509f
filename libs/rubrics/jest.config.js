module.exports = { ...require('../../jest.preset.js'), displayName: 'rubrics', rootDir: __dirname };
