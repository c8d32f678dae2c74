import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

/** The MariaDB programs the local cluster needs. */
export interface MariadbBinaries {
  readonly mariadbd: string;
  readonly installDb: string;
  readonly version: string;
}

const SEARCH_DIRS = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/usr/local/mysql/bin"];

function find(names: readonly string[]): string | undefined {
  const path = (process.env.PATH ?? "").split(":").filter((d) => d !== "");
  for (const dir of [...path, ...SEARCH_DIRS]) {
    for (const name of names) {
      const candidate = `${dir}/${name}`;
      if (existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

function isDebianLike(): boolean {
  return existsSync("/etc/debian_version") && find(["apt-get"]) !== undefined;
}

/**
 * Finds mariadbd and mariadb-install-db. When they are missing and we are root on a Debian-like
 * system, installs Debian's mariadb-server (what CI on a fresh machine needs); otherwise fails at
 * once with a message that says what to install.
 */
export function ensureMariadbBinaries(log: (line: string) => void = () => {}): MariadbBinaries {
  let mariadbd = find(["mariadbd", "mysqld"]);
  let installDb = find(["mariadb-install-db", "mysql_install_db"]);
  if (mariadbd === undefined || installDb === undefined) {
    const root = typeof process.getuid === "function" && process.getuid() === 0;
    if (!root || !isDebianLike()) {
      throw new Error(
        "MariaDB server binaries not found (mariadbd, mariadb-install-db). Install the MariaDB server " +
          "package, e.g. `sudo apt-get install mariadb-server` on Debian/Ubuntu, then run again.",
      );
    }
    log("mariadbd not found: installing mariadb-server with apt-get");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    execFileSync("apt-get", ["update"], { stdio: "inherit", env });
    execFileSync(
      "apt-get",
      ["install", "-y", "--no-install-recommends", "mariadb-server", "mariadb-client"],
      {
        stdio: "inherit",
        env,
      },
    );
    mariadbd = find(["mariadbd", "mysqld"]);
    installDb = find(["mariadb-install-db", "mysql_install_db"]);
    if (mariadbd === undefined || installDb === undefined) {
      throw new Error("apt-get installed mariadb-server but mariadbd/mariadb-install-db are still missing");
    }
  }
  const banner = execFileSync(mariadbd, ["--version"], { encoding: "utf8" }).trim();
  const version = /\bVer\s+(\S+)/.exec(banner)?.[1] ?? banner;
  return { mariadbd, installDb, version };
}
