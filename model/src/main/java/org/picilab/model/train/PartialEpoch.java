package org.picilab.model.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Running sums of an epoch that was stopped between batches, so that its record comes out the same
 * whether or not it was interrupted.
 *
 * @param batches batches summed so far
 * @param sums sum of each loss component over those batches
 * @param seconds training time so far
 */
public record PartialEpoch(int batches, Map<String, Double> sums, double seconds) {

  /** Nothing summed yet. */
  public static final PartialEpoch EMPTY = new PartialEpoch(0, Map.of(), 0);

  /**
   * Adds one batch.
   *
   * @param losses the batch's loss components
   * @param batchSeconds the batch's time
   * @return the new sums
   */
  public PartialEpoch plus(Map<String, Double> losses, double batchSeconds) {
    Map<String, Double> next = new LinkedHashMap<>(sums);
    losses.forEach((k, v) -> next.merge(k, v, Double::sum));
    return new PartialEpoch(batches + 1, Collections.unmodifiableMap(next), seconds + batchSeconds);
  }

  /**
   * The means of the summed components.
   *
   * @return component to mean
   */
  public Map<String, Double> means() {
    Map<String, Double> out = new LinkedHashMap<>();
    sums.forEach((k, v) -> out.put(k, batches == 0 ? 0.0 : v / batches));
    return out;
  }
}
