// Every project with a jest.config.js under apps/ or libs/ is one Jest project; `npm test` runs them all.
const fs = require('node:fs');
const path = require('node:path');

const projects = ['apps', 'libs', 'bench']
  .flatMap((dir) => (fs.existsSync(dir) ? fs.readdirSync(dir).map((name) => path.join(dir, name)) : []))
  .filter((dir) => fs.existsSync(path.join(dir, 'jest.config.js')))
  .map((dir) => `<rootDir>/${dir}`);

module.exports = {
  projects,
  testTimeout: 60_000,
  // one nats-server with the generated NATS users for the whole run, unless NATS_URL already has users
  globalSetup: '<rootDir>/libs/testing/src/jest-global-setup.js',
  globalTeardown: '<rootDir>/libs/testing/src/jest-global-teardown.js',
};
