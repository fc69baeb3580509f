export * from './tier-windows';
export * from './report-html';
