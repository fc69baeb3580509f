module.exports = { ...require('../../jest.preset.js'), displayName: 'grading', rootDir: __dirname };
