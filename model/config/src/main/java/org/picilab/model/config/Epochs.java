package org.picilab.model.config;

/**
 * Epochs per stage (paper 002, Algorithm 1: E1, E2, E3).
 *
 * @param pretrain PISD-only pre-training epochs
 * @param train joint PISD + PICD epochs
 * @param boost PICD + CLI boosting epochs
 */
public record Epochs(int pretrain, int train, int boost) {

  /**
   * The total across stages.
   *
   * @return pretrain + train + boost
   */
  public int total() {
    return pretrain + train + boost;
  }

  /**
   * Parses the command-line form {@code PRE,TRAIN,BOOST}.
   *
   * @param text e.g. "5,50,8"
   * @return the epochs
   * @throws ConfigException when the text is not three non-negative integers
   */
  public static Epochs parse(String text) {
    String[] parts = text.split(",");
    if (parts.length != 3) {
      throw new ConfigException(
          "epochs", "expected three numbers PRE,TRAIN,BOOST such as 5,50,8, got '" + text + "'");
    }
    int[] v = new int[3];
    for (int i = 0; i < 3; i++) {
      try {
        v[i] = Integer.parseInt(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new ConfigException(
            "epochs", "'" + parts[i].trim() + "' in '" + text + "' is not a whole number");
      }
    }
    return new Epochs(v[0], v[1], v[2]);
  }
}
