package org.picilab.workflows.sweep;

import java.util.Locale;
import java.util.Map;
import org.picilab.workflows.RunRequest;

/**
 * One trial of a sweep: a configuration and a seed.
 *
 * @param index 0-based position in the sweep
 * @param configIndex which configuration of the search space
 * @param configKey a label of the configuration, e.g. "lr=0.0001 maskRatio=0.25"
 * @param parameters every setting of the trial (fixed and searched), as dotted keys and values
 * @param seed the run seed
 */
public record TrialPlan(
    int index, int configIndex, String configKey, Map<String, String> parameters, long seed) {

  /**
   * The run id of a trial: {@code run-} and the sweep id without its {@code sweep-} prefix, then
   * the 1-based trial number.
   *
   * @param sweepId the sweep id
   * @param index the 0-based trial index
   * @return e.g. "run-digits-quick-k3x9-003"
   */
  public static String runId(String sweepId, int index) {
    String base = sweepId.startsWith("sweep-") ? sweepId.substring("sweep-".length()) : sweepId;
    return String.format(Locale.ROOT, "run-%s-%03d", base, index + 1);
  }

  /**
   * What the sweep starts for this trial.
   *
   * @param sweepId the sweep
   * @param spec the sweep's specification
   * @param parentTrackingRunId the sweep's tracked run, or null
   * @return the run request
   */
  public RunRequest request(String sweepId, SweepSpec spec, String parentTrackingRunId) {
    return new RunRequest(
        runId(sweepId, index),
        sweepId,
        index,
        configKey,
        spec.method(),
        spec.dataset(),
        spec.preset(),
        parameters,
        seed,
        parentTrackingRunId,
        spec.execution());
  }
}
