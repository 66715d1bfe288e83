/**
 * SQL text handling: lexing, classification, named placeholders and identifier quoting.
 *
 * @module
 */

export * from "./classify.ts";
export * from "./lexer.ts";
export * from "./named_params.ts";
export * from "./quote_identifier.ts";
