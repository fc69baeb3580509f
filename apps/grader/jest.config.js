module.exports = { ...require('../../jest.preset.js'), displayName: 'grader', rootDir: __dirname };
