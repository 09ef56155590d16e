/**
 * The database of record: sweeps, their trials and single runs, with schema migrations (Flyway) and
 * the queries the command line and the web app page through. The same schema and SQL run on SQLite
 * (embedded, a file under {@code PICI_HOME}) and PostgreSQL (distributed). Only the controller
 * writes it, through the control activities; workers never connect to it.
 */
package org.picilab.platform.db;
