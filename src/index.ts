// The package root: Paddock's TypeScript client and its recipes, for `import { connect } from "paddock"`.
export * from "./client/index.js";
export * from "./recipes/index.js";
