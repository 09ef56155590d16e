package org.picilab.workflows.sweep;

import java.util.List;

/**
 * One searched setting. Exactly one form is used:
 *
 * <ul>
 *   <li>a list of values: {@code lr: [1.0e-4, 3.0e-4]};
 *   <li>a range {@code {min, max, step}}: the values min, min + step, ... up to max;
 *   <li>an interval {@code {min, max}}: uniform (random search only);
 *   <li>a log-uniform interval {@code {min, max, log: true}}: random search samples it, grid search
 *       needs {@code count: N} and takes N values evenly spaced in log scale.
 * </ul>
 *
 * <p>{@code integer: true} rounds sampled values to whole numbers.
 *
 * @param values the listed values (as text), or null
 * @param min lower bound, or null
 * @param max upper bound, or null
 * @param step range step, or null
 * @param log whether the interval is log-uniform
 * @param count grid points of a log interval, or null
 * @param integer whether values are whole numbers
 */
public record Dimension(
    List<String> values,
    Double min,
    Double max,
    Double step,
    boolean log,
    Integer count,
    boolean integer) {

  /**
   * Whether grid search can enumerate this dimension.
   *
   * @return true for lists, ranges with a step, and log intervals with a count
   */
  public boolean discrete() {
    return values != null || step != null || (log && count != null);
  }
}
