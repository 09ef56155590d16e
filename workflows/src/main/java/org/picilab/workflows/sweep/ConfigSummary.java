package org.picilab.workflows.sweep;

import java.util.List;
import org.picilab.workflows.Scores;

/**
 * One configuration of a sweep, over its seeds.
 *
 * @param configKey the configuration label
 * @param trials trials of this configuration
 * @param completed trials that finished with scores
 * @param mean mean scores over the completed trials, or null
 * @param std sample standard deviations (0 for one trial), or null
 */
public record ConfigSummary(String configKey, int trials, int completed, Scores mean, Scores std) {

  /**
   * Summarises one configuration's completed trials.
   *
   * @param configKey the configuration
   * @param trials how many trials it has
   * @param done the scores of its completed trials
   * @return mean and sample standard deviation (0 for one trial; null for none)
   */
  public static ConfigSummary of(String configKey, int trials, List<Scores> done) {
    if (done.isEmpty()) {
      return new ConfigSummary(configKey, trials, 0, null, null);
    }
    double[] m = new double[4];
    for (Scores s : done) {
      double[] v = values(s);
      for (int i = 0; i < 4; i++) {
        m[i] += v[i] / done.size();
      }
    }
    double[] sd = new double[4];
    if (done.size() > 1) {
      for (Scores s : done) {
        double[] v = values(s);
        for (int i = 0; i < 4; i++) {
          sd[i] += (v[i] - m[i]) * (v[i] - m[i]);
        }
      }
      for (int i = 0; i < 4; i++) {
        sd[i] = Math.sqrt(sd[i] / (done.size() - 1));
      }
    }
    return new ConfigSummary(
        configKey,
        trials,
        done.size(),
        new Scores(m[0], m[1], m[2], m[3]),
        new Scores(sd[0], sd[1], sd[2], sd[3]));
  }

  private static double[] values(Scores s) {
    return new double[] {s.nmi(), s.acc(), s.ari(), s.fmi()};
  }
}
