/** The domain's seeded generator (mulberry32), seeded by its caller. */
export { mulberry32 as seededRandom } from '@loopwright/core';
