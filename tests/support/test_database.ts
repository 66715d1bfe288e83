/**
 * The shared throwaway MariaDB of a test run, seeded once with known
 * schemas, and a password account for the server under test.
 */
import { type DatabaseServer, startDatabaseServer } from "../../scripts/throwaway_mariadb.ts";

export interface TestDatabase {
  readonly server: DatabaseServer;
  readonly user: string;
  readonly password: string;
  /** On the allow-list of the test config. */
  readonly db: string;
  /** Exists on the server, but not on the allow-list. */
  readonly otherDb: string;
}

let shared: Promise<TestDatabase> | undefined;

/** The run's database, started (or reached through MYSQL_TEST_URL) on first use. */
export function testDatabase(): Promise<TestDatabase> {
  shared ??= (async () => {
    const server = await startDatabaseServer();
    const suffix = crypto.randomUUID().slice(0, 6);
    const database: TestDatabase = {
      server,
      user: `mcp_${suffix}`,
      password: `pw-${crypto.randomUUID()}`,
      db: `mcp_test_${suffix}`,
      otherDb: `mcp_other_${suffix}`,
    };
    await server.admin(seedSql(database));
    globalThis.addEventListener("unload", () => void server.stop());
    return database;
  })();
  return shared;
}

/** Known schemas: every value type, related tables, and a database the allow-list hides. */
function seedSql({ user, password, db, otherDb }: TestDatabase): string {
  return `
CREATE DATABASE ${db} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE ${otherDb};
CREATE TABLE ${otherDb}.secrets (id INT PRIMARY KEY, secret VARCHAR(50));
INSERT INTO ${otherDb}.secrets VALUES (1, 'do-not-read');

CREATE TABLE ${db}.customers (
  id INT AUTO_INCREMENT PRIMARY KEY COMMENT 'customer id',
  email VARCHAR(120) NOT NULL UNIQUE,
  name VARCHAR(100) NOT NULL COMMENT 'full name',
  created_at DATETIME NOT NULL DEFAULT '2024-01-01 00:00:00'
) COMMENT 'people who buy';
CREATE TABLE ${db}.orders (
  id INT AUTO_INCREMENT PRIMARY KEY,
  customer_id INT NOT NULL,
  status ENUM('pending','paid','shipped') NOT NULL DEFAULT 'pending',
  total DECIMAL(12,2) NOT NULL,
  created_at DATETIME NOT NULL,
  KEY idx_status_created (status, created_at),
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES ${db}.customers(id)
);
CREATE TABLE ${db}.value_types (
  id INT PRIMARY KEY,
  big BIGINT,
  ubig BIGINT UNSIGNED,
  dec_value DECIMAL(30,10),
  float_value DOUBLE,
  d DATE,
  dt DATETIME(6),
  ts TIMESTAMP NULL,
  t TIME,
  doc JSON,
  bin VARBINARY(16),
  blob_value BLOB,
  txt TEXT,
  nullable_text VARCHAR(20),
  bits BIT(8)
);
INSERT INTO ${db}.customers (email, name) VALUES
  ('ann@example.com', 'Ann'), ('bob@example.com', 'Bob'), ('cy@example.com', 'Cy');
INSERT INTO ${db}.orders (customer_id, status, total, created_at) VALUES
  (1, 'paid', 10.50, '2024-02-01 10:00:00'), (1, 'pending', 99.99, '2024-02-02 11:00:00'),
  (2, 'shipped', 5.00, '2024-02-03 12:00:00');
INSERT INTO ${db}.value_types VALUES
  (1, 9007199254740993, 18446744073709551615, 12345678901234567890.0123456789, 0.1,
   '2024-02-29', '2024-03-10 02:30:00.123456', '2024-03-10 02:30:00', '-838:59:59',
   '{"a": [1, 2, {"b": null}], "emoji": "\u{1F600}"}', X'00FF10', X'DEADBEEF',
   'caf\u00e9 \u{1F600} \u65e5\u672c', 'NULL', b'10100101'),
  (2, -9007199254740993, 0, -0.0000000001, -1.5e300,
   '0001-01-01', '9999-12-31 23:59:59.999999', NULL, '00:00:00',
   'null', X'', NULL, '', NULL, b'0');
CREATE TABLE ${db}.numbers (n INT PRIMARY KEY, label VARCHAR(20));
INSERT INTO ${db}.numbers SELECT seq, CONCAT('n', seq) FROM ${db}.seq_1_to_5000;

CREATE USER '${user}'@'%' IDENTIFIED BY '${password}';
GRANT ALL PRIVILEGES ON ${db}.* TO '${user}'@'%';
GRANT SELECT ON ${otherDb}.* TO '${user}'@'%';
GRANT FILE ON *.* TO '${user}'@'%';
`;
}
