/**
 * The sweep and run services: launching, reading, pausing, resuming and cancelling sweeps and runs,
 * with every check of the input done once, here. The command line and the web app both wrap these
 * services; neither talks to Temporal or the database of record on its own. Also the controller's
 * start-up duties: importing an old S3 registry once and reviving work the database says was
 * running.
 */
package org.picilab.platform.service;
