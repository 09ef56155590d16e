package org.picilab.model.cli;

/**
 * Process-wide settings that must be in place before DJL loads its engine: offline mode (nothing
 * may download at run time), thread counts, and quiet logging.
 */
final class ProcessSettings {

  private ProcessSettings() {}

  static void configure() {
    setDefault("ai.djl.offline", "true");
    int cores = Runtime.getRuntime().availableProcessors();
    String threads = System.getenv("PICI_THREADS");
    setDefault("ai.djl.pytorch.num_threads", threads != null ? threads : String.valueOf(cores));
    setDefault("ai.djl.pytorch.num_interop_threads", "1");
    setDefault("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    setDefault("org.slf4j.simpleLogger.log.org.picilab", "info");
    // The embedded S3 endpoint and its web server announce every start at INFO.
    setDefault("org.slf4j.simpleLogger.log.org.gaul", "warn");
    setDefault("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
    setDefault("org.slf4j.simpleLogger.showThreadName", "false");
    setDefault("org.slf4j.simpleLogger.showLogName", "false");
    setDefault("org.slf4j.simpleLogger.levelInBrackets", "true");
  }

  /**
   * Sets the intra-op thread count, if DJL has not started yet.
   *
   * @param threads the count
   */
  static void threads(int threads) {
    System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
  }

  private static void setDefault(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
