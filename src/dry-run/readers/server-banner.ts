/**
 * The three lines a server writes at the top of its general and slow logs each time it starts
 * (so they also appear in the middle of a log that spans a restart):
 *
 *   /usr/sbin/mariadbd, Version: 10.11.6-MariaDB-log (Debian 12). started with:
 *   Tcp port: 3306  Unix socket: /run/mysqld/mysqld.sock
 *   Time                 Id Command    Argument
 */
const VERSION_LINE = /^\S.*, Version: .*started with:\s*$/;
const PORT_LINE = /^Tcp port: \d+\s+Unix socket: /;
const COLUMNS_LINE = /^Time\s+Id\s+Command\s+Argument\s*$/;

export function isServerBanner(text: string): boolean {
  return VERSION_LINE.test(text) || PORT_LINE.test(text) || COLUMNS_LINE.test(text);
}
