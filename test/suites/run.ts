/**
 * Real client suites through Sluice: `npm run suites -- <suite> [options]`.
 *   mysql-test  MariaDB's mysql-test main suite, direct vs through Sluice (test/suites/mysql-test.ts)
 *   go-driver   go-sql-driver/mysql's own tests, direct vs through Sluice (test/suites/go-driver.ts)
 */
import { goDriverMain } from "./go-driver.js";
import { mysqlTestMain } from "./mysql-test.js";

const [suite, ...rest] = process.argv.slice(2);
const suites: Record<string, (argv: readonly string[]) => Promise<number>> = {
  "mysql-test": mysqlTestMain,
  "go-driver": goDriverMain,
};
const main = suite === undefined ? undefined : suites[suite];
if (main === undefined) {
  process.stderr.write(`usage: npm run suites -- <${Object.keys(suites).join("|")}> [options]\n`);
  process.exit(2);
}
process.exitCode = await main(rest);
