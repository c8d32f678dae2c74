/** The neutral starting point for witnesses and policy tests: a plain autocommit SELECT. */
import type { Facts } from "../../classifier/facts.js";
import { DEFAULT_SESSION_FACTS, type SessionFacts } from "../session-facts.js";

export const BASE_FACTS: Facts = {
  kind: "select",
  family: "read",
  writes: false,
  locking: "none",
  lockWait: "wait",
  transaction: null,
  implicitCommit: false,
  sessionEffects: [],
  sameConnection: [],
  produces: [],
  tables: [],
  writeTables: [],
  functions: [],
  systemVariables: [],
  hints: [],
  digest: "SELECT ?",
  fingerprint: "0000000000000000",
  parse: "ok",
};

export const BASE_SESSION: SessionFacts = DEFAULT_SESSION_FACTS;
