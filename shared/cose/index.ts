export * from './sign1.ts';
export * from './token.ts';
export * from './token-verify.ts';
