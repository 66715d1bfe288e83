/**
 * Seeds the demo's `shop` database (customers, products, orders, order_items)
 * with a few thousand deterministic, realistic rows, a second database
 * `analytics` that the demo config does not allow, and two MCP accounts.
 */
import type { DatabaseServer } from "../throwaway_mariadb.ts";

/** What the demo needs to know about the seeded server. */
export interface SeededShop {
  readonly readerUser: string;
  readonly readerPassword: string;
  readonly writerUser: string;
  readonly writerPassword: string;
  /** Row counts per table, for the banner. */
  readonly counts: Record<string, number>;
}

export interface SeedOptions {
  customers?: number;
  products?: number;
  orders?: number;
  /** PRNG seed: the same seed gives the same rows on every run. */
  seed?: number;
}

const SCHEMA = `
CREATE DATABASE shop CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE TABLE shop.customers (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  email VARCHAR(190) NOT NULL COMMENT 'Login and contact address, unique',
  full_name VARCHAR(120) NOT NULL,
  city VARCHAR(80) NOT NULL,
  country CHAR(2) NOT NULL COMMENT 'ISO 3166-1 alpha-2 code',
  marketing_opt_in BOOLEAN NOT NULL DEFAULT FALSE,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT 'Sign-up time, UTC',
  PRIMARY KEY (id),
  UNIQUE KEY uq_customers_email (email),
  KEY idx_customers_country_city (country, city)
) ENGINE=InnoDB COMMENT='People with an account in the shop';

CREATE TABLE shop.products (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  sku VARCHAR(32) NOT NULL COMMENT 'Stock keeping unit, printed on the label',
  name VARCHAR(160) NOT NULL,
  category VARCHAR(60) NOT NULL,
  price DECIMAL(10,2) NOT NULL COMMENT 'Current list price in EUR',
  stock INT NOT NULL DEFAULT 0 COMMENT 'Units in the warehouse',
  attributes JSON NULL COMMENT 'Free-form attributes: colour, size, material, weight_g',
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY uq_products_sku (sku),
  KEY idx_products_category (category)
) ENGINE=InnoDB COMMENT='The catalogue';

CREATE TABLE shop.orders (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  customer_id INT UNSIGNED NOT NULL,
  status ENUM('pending','paid','shipped','cancelled') NOT NULL DEFAULT 'pending'
    COMMENT 'pending → paid → shipped; cancelled at any point before shipping',
  total DECIMAL(12,2) NOT NULL DEFAULT 0.00 COMMENT 'Sum of quantity * unit_price of its items, EUR',
  created_at DATETIME NOT NULL COMMENT 'When the order was placed, UTC',
  shipped_at DATETIME NULL COMMENT 'NULL until shipped',
  PRIMARY KEY (id),
  KEY idx_orders_customer (customer_id),
  KEY idx_orders_status_created (status, created_at),
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES shop.customers (id)
) ENGINE=InnoDB COMMENT='One row per checkout';

CREATE TABLE shop.order_items (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  order_id INT UNSIGNED NOT NULL,
  product_id INT UNSIGNED NOT NULL,
  quantity SMALLINT UNSIGNED NOT NULL,
  unit_price DECIMAL(10,2) NOT NULL COMMENT 'Price paid per unit, frozen at checkout',
  PRIMARY KEY (id),
  UNIQUE KEY uq_order_items_order_product (order_id, product_id),
  KEY idx_order_items_product (product_id),
  CONSTRAINT fk_order_items_order FOREIGN KEY (order_id) REFERENCES shop.orders (id)
    ON DELETE CASCADE,
  CONSTRAINT fk_order_items_product FOREIGN KEY (product_id) REFERENCES shop.products (id)
) ENGINE=InnoDB COMMENT='Lines of an order';

CREATE DATABASE analytics CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE TABLE analytics.daily_revenue (
  day DATE NOT NULL,
  orders INT NOT NULL,
  revenue DECIMAL(14,2) NOT NULL,
  PRIMARY KEY (day)
) ENGINE=InnoDB COMMENT='Derived from shop; not for agents';
CREATE TABLE analytics.customer_ltv (
  customer_id INT UNSIGNED NOT NULL,
  lifetime_value DECIMAL(14,2) NOT NULL,
  churn_risk DECIMAL(4,3) NOT NULL COMMENT 'Model score, confidential',
  PRIMARY KEY (customer_id)
) ENGINE=InnoDB COMMENT='Confidential model output';
`;

const list = (text: string) => text.split(",").map((item) => item.trim());

const FIRST_NAMES = list(
  "Emma, Liam, Olivia, Noah, Sofia, Lucas, Mia, Elias, Chloé, Mateo, Hannah, Leon, Zoé, Hugo, " +
    "Amelia, Finn, Ines, Jonas, Léa, Oskar, Aisha, Ravi, Yuki, Kenji, Priya, Omar, Fatima, " +
    "Diego, Lucía, Marta, Jakub, Zofia, Sven, Ingrid, Aoife, Cian, Giulia, Marco, Nora, Emil",
);
const LAST_NAMES = list(
  "Müller, Schmidt, Dubois, Martin, García, Rossi, Smith, Jones, Kowalski, Nowak, Jensen, " +
    "Hansen, Silva, Santos, Murphy, O'Brien, Bianchi, Romano, Lefèvre, Moreau, Novak, Horvat, " +
    "Andersson, Nieminen, Papadopoulos, Yilmaz, Tanaka, Sato, Patel, Khan, Fischer, Weber, " +
    "Costa, Ferreira, Van Dijk, De Vries, Lindqvist, Kovács, Ivanova, Byrne",
);
/** "City/CC": city and ISO country code. */
const CITIES = list(
  "Berlin/DE, Hamburg/DE, Munich/DE, Paris/FR, Lyon/FR, Marseille/FR, Madrid/ES, Barcelona/ES, " +
    "Valencia/ES, Milan/IT, Rome/IT, Turin/IT, Amsterdam/NL, Rotterdam/NL, Dublin/IE, Cork/IE, " +
    "Lisbon/PT, Porto/PT, Warsaw/PL, Kraków/PL, Vienna/AT, Stockholm/SE, Copenhagen/DK, " +
    "Helsinki/FI, Prague/CZ, Brussels/BE, Zürich/CH, Oslo/NO",
).map((entry) => entry.split("/") as [string, string]);

interface Category {
  name: string;
  products: string[];
  /** List price range, EUR. */
  price: [number, number];
  /** Shipping weight range, grams. */
  weight: [number, number];
}

const CATALOGUE: Category[] = [
  {
    name: "Outdoor",
    products: list("Trail Backpack 28L, Trekking Poles, Down Jacket, Rain Shell, Headlamp"),
    price: [19, 249],
    weight: [90, 1400],
  },
  {
    name: "Kitchen",
    products: list("Chef's Knife 20cm, Cast Iron Skillet, Pour-Over Kettle, Bamboo Cutting Board"),
    price: [12, 139],
    weight: [300, 3200],
  },
  {
    name: "Home",
    products: list("Linen Duvet Cover, Wool Throw, Ceramic Vase, Reading Lamp, Wall Clock"),
    price: [15, 189],
    weight: [200, 2500],
  },
  {
    name: "Apparel",
    products: list("Merino T-Shirt, Organic Hoodie, Chino Trousers, Wool Beanie, Socks 3-Pack"),
    price: [9, 119],
    weight: [60, 700],
  },
  {
    name: "Electronics",
    products: list("Wireless Earbuds, USB-C Charger 65W, Bluetooth Speaker, E-Reader, Power Bank"),
    price: [19, 299],
    weight: [40, 600],
  },
  {
    name: "Books",
    products: list("Field Guide to Birds, Sourdough Handbook, City Atlas, Pocket Notebook"),
    price: [6, 45],
    weight: [90, 900],
  },
];
const COLOURS = list("black, navy, forest green, sand, charcoal, terracotta, white");
const MATERIALS = list("recycled polyester, organic cotton, merino wool, steel, oak, ceramic");
const SIZES = list("XS, S, M, L, XL");

/** mulberry32: a tiny deterministic PRNG, good enough for demo data. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
  };
}

const pad = (n: number) => String(n).padStart(2, "0");
/** DATETIME text for `base + seconds`, in UTC so no time zone shifts it. */
function datetime(base: number, seconds: number): string {
  const d = new Date(base + seconds * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** "12.49" from 1249 cents, exact. */
const euros = (cents: number) => `${Math.floor(cents / 100)}.${pad(cents % 100)}`;

const slug = (text: string) =>
  text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z]+/g, "");

/** Creates and fills `shop` and `analytics`, and the two MCP accounts. */
export async function seedShop(
  server: DatabaseServer,
  options: SeedOptions = {},
): Promise<SeededShop> {
  const rand = prng(options.seed ?? 20260101);
  const customerCount = options.customers ?? 400;
  const orderCount = options.orders ?? 3000;

  await server.admin("DROP DATABASE IF EXISTS shop; DROP DATABASE IF EXISTS analytics;");
  await server.admin(SCHEMA);

  // Customers signed up during 2024; orders run through 2025 (fixed dates: same data every run).
  const signUpBase = Date.UTC(2024, 0, 1);
  const orderBase = Date.UTC(2025, 0, 1);
  const year = 365 * 24 * 3600;

  const customers: unknown[][] = [];
  const emails = new Set<string>();
  for (let i = 0; i < customerCount; i++) {
    const first = rand.pick(FIRST_NAMES);
    const last = rand.pick(LAST_NAMES);
    const [city, country] = rand.pick(CITIES);
    let email = `${slug(first)}.${slug(last)}@example.${country.toLowerCase()}`;
    for (let n = 2; emails.has(email); n++) {
      email = `${slug(first)}.${slug(last)}${n}@example.${country.toLowerCase()}`;
    }
    emails.add(email);
    customers.push([
      email,
      `${first} ${last}`,
      city,
      country,
      rand.next() < 0.35,
      datetime(signUpBase, rand.int(0, year)),
    ]);
  }
  await insertRows(
    server,
    "shop.customers (email, full_name, city, country, marketing_opt_in, created_at)",
    customers,
  );

  const products: unknown[][] = [];
  const prices: number[] = [];
  for (const { name: category, products: nouns, price: [low, high], weight } of CATALOGUE) {
    for (const noun of nouns) {
      for (const colour of COLOURS.slice(0, rand.int(2, 5))) {
        const cents = rand.int(low * 100, high * 100);
        // Shop prices end in .99 or .49; kept in cents so totals add up exactly.
        const price = Math.floor(cents / 100) * 100 + (cents % 3 === 0 ? 49 : 99);
        prices.push(price);
        const attributes: Record<string, unknown> = {
          colour,
          material: rand.pick(MATERIALS),
          weight_g: rand.int(weight[0], weight[1]),
        };
        if (category === "Apparel") attributes.sizes = SIZES.slice(rand.int(0, 2));
        if (category === "Electronics") attributes.warranty_months = rand.pick([12, 24, 36]);
        products.push([
          `${category.slice(0, 3).toUpperCase()}-${String(products.length + 1).padStart(4, "0")}`,
          `${noun} (${colour})`,
          category,
          euros(price),
          rand.int(0, 400),
          JSON.stringify(attributes),
          datetime(signUpBase, rand.int(0, year / 2)),
        ]);
      }
    }
  }
  await insertRows(
    server,
    "shop.products (sku, name, category, price, stock, attributes, created_at)",
    products,
  );

  const orders: unknown[][] = [];
  const items: unknown[][] = [];
  for (let id = 1; id <= orderCount; id++) {
    // Later orders are more likely to be still pending or paid.
    const offset = Math.floor(year * Math.sqrt(rand.next()));
    const age = 1 - offset / year;
    const roll = rand.next();
    const status = roll < 0.05
      ? "cancelled"
      : age < 0.02
      ? (roll < 0.5 ? "pending" : "paid")
      : age < 0.06
      ? (roll < 0.6 ? "paid" : "shipped")
      : "shipped";
    let total = 0;
    const chosen = new Set<number>();
    const lines = rand.int(1, 4);
    while (chosen.size < lines) chosen.add(rand.int(1, products.length));
    for (const productId of chosen) {
      const quantity = rand.next() < 0.8 ? 1 : rand.int(2, 4);
      const unitPrice = prices[productId - 1];
      total += quantity * unitPrice;
      items.push([id, productId, quantity, euros(unitPrice)]);
    }
    orders.push([
      rand.int(1, customerCount),
      status,
      euros(total),
      datetime(orderBase, offset),
      status === "shipped" ? datetime(orderBase, offset + rand.int(6, 96) * 3600) : null,
    ]);
  }
  await insertRows(
    server,
    "shop.orders (customer_id, status, total, created_at, shipped_at)",
    orders,
  );
  await insertRows(server, "shop.order_items (order_id, product_id, quantity, unit_price)", items);

  await server.admin(`
    INSERT INTO analytics.daily_revenue (day, orders, revenue)
      SELECT DATE(created_at), COUNT(*), SUM(total) FROM shop.orders
      WHERE status <> 'cancelled' GROUP BY DATE(created_at);
    INSERT INTO analytics.customer_ltv (customer_id, lifetime_value, churn_risk)
      SELECT c.id, COALESCE(SUM(o.total), 0), ROUND(1 / (1 + COUNT(o.id)), 3)
      FROM shop.customers c LEFT JOIN shop.orders o ON o.customer_id = c.id
      GROUP BY c.id;
    ANALYZE TABLE shop.customers, shop.products, shop.orders, shop.order_items;
  `);

  const readerPassword = randomPassword();
  const writerPassword = randomPassword();
  await server.admin(
    `DROP USER IF EXISTS 'mcp_reader'@'%', 'mcp_writer'@'%';
     CREATE USER 'mcp_reader'@'%' IDENTIFIED BY ?;
     GRANT SELECT ON shop.* TO 'mcp_reader'@'%';
     CREATE USER 'mcp_writer'@'%' IDENTIFIED BY ?;
     GRANT SELECT, INSERT, UPDATE, DELETE ON shop.* TO 'mcp_writer'@'%';`,
    [readerPassword, writerPassword],
  );

  return {
    readerUser: "mcp_reader",
    readerPassword,
    writerUser: "mcp_writer",
    writerPassword,
    counts: {
      customers: customers.length,
      products: products.length,
      orders: orders.length,
      order_items: items.length,
    },
  };
}

/** Multi-row INSERTs of up to 500 rows, values escaped by the driver. */
async function insertRows(server: DatabaseServer, target: string, rows: unknown[][]) {
  for (let i = 0; i < rows.length; i += 500) {
    await server.admin(`INSERT INTO ${target} VALUES ?`, [rows.slice(i, i + 500)]);
  }
}

function randomPassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return "demo_" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
