package org.picilab.workflows.sweep;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Expands a sweep specification into its trials. Pure and deterministic (the random search draws
 * from a generator seeded by the specification), so workflow code may call it and replays agree.
 */
public final class SearchSpace {

  private SearchSpace() {}

  /**
   * The trials of a sweep, configuration-major: every seed of the first configuration, then every
   * seed of the second, and so on, cut at the budget.
   *
   * @param spec a validated specification
   * @return the trials
   */
  public static List<TrialPlan> trials(SweepSpec spec) {
    List<Map<String, String>> configs =
        spec.strategy().equals("random") ? random(spec) : grid(spec.space());
    List<TrialPlan> out = new ArrayList<>();
    for (int c = 0; c < configs.size(); c++) {
      Map<String, String> searched = configs.get(c);
      Map<String, String> all = new LinkedHashMap<>(spec.parameters());
      all.putAll(searched);
      for (long seed : spec.seeds()) {
        if (spec.budget() > 0 && out.size() >= spec.budget()) {
          return out;
        }
        out.add(new TrialPlan(out.size(), c, key(searched), Map.copyOf(all), seed));
      }
    }
    return out;
  }

  /**
   * How many configurations the search space has, by arithmetic: nothing is expanded, so a space of
   * billions is counted as quickly as one of four.
   *
   * @param spec a specification
   * @return the configurations (grid: the product of the dimensions' sizes; random: the draws)
   */
  public static long configurations(SweepSpec spec) {
    if (spec.strategy().equals("random")) {
      return spec.trials();
    }
    long n = 1;
    for (Dimension d : spec.space().values()) {
      n = saturatingMultiply(n, size(d));
    }
    return n;
  }

  /**
   * How many trials the sweep has, by arithmetic: configurations times seeds, cut at the budget.
   *
   * @param spec a specification
   * @return the number of trials {@link #trials} returns
   */
  public static long count(SweepSpec spec) {
    long n = saturatingMultiply(configurations(spec), spec.seeds().size());
    return spec.budget() > 0 ? Math.min(n, spec.budget()) : n;
  }

  /**
   * How many values grid search takes along one dimension, without listing them.
   *
   * @param d a discrete dimension
   * @return the number of values {@link #enumerate} returns
   */
  static long size(Dimension d) {
    if (d.values() != null) {
      return d.values().size();
    }
    if (d.step() != null) {
      double steps = Math.floor((d.max() - d.min()) / d.step() + 1e-9);
      return steps >= Long.MAX_VALUE - 1 ? Long.MAX_VALUE : (long) steps + 1;
    }
    return d.count();
  }

  private static long saturatingMultiply(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    return (hi == 0 && lo >= 0) ? lo : Long.MAX_VALUE;
  }

  /**
   * A configuration's label: its searched settings in order, or "default" without a search.
   *
   * @param searched the searched settings
   * @return e.g. "lr=0.0001 maskRatio=0.25"
   */
  static String key(Map<String, String> searched) {
    if (searched.isEmpty()) {
      return "default";
    }
    StringBuilder sb = new StringBuilder();
    searched.forEach(
        (k, v) -> {
          if (sb.length() > 0) {
            sb.append(' ');
          }
          sb.append(k).append('=').append(v);
        });
    return sb.toString();
  }

  private static List<Map<String, String>> grid(Map<String, Dimension> space) {
    List<Map<String, String>> out = new ArrayList<>();
    out.add(new LinkedHashMap<>());
    for (Map.Entry<String, Dimension> d : space.entrySet()) {
      List<String> values = enumerate(d.getValue());
      List<Map<String, String>> next = new ArrayList<>();
      for (Map<String, String> partial : out) {
        for (String v : values) {
          Map<String, String> m = new LinkedHashMap<>(partial);
          m.put(d.getKey(), v);
          next.add(m);
        }
      }
      out = next;
    }
    return out;
  }

  /**
   * The values grid search takes along one dimension, as text.
   *
   * @param d a discrete dimension
   * @return its values in order
   */
  public static List<String> values(Dimension d) {
    return enumerate(d);
  }

  /**
   * The values grid search takes along one dimension.
   *
   * @param d a discrete dimension
   * @return the values as text
   */
  static List<String> enumerate(Dimension d) {
    if (d.values() != null) {
      return d.values();
    }
    List<String> out = new ArrayList<>();
    if (d.step() != null) {
      // Count the steps rather than accumulate, so that 0.1 + 0.1 + 0.1 does not drift past max.
      long n = (long) Math.floor((d.max() - d.min()) / d.step() + 1e-9);
      for (long i = 0; i <= n; i++) {
        out.add(format(d.min() + i * d.step(), d.integer()));
      }
      return out;
    }
    int n = d.count();
    double lo = Math.log(d.min());
    double hi = Math.log(d.max());
    for (int i = 0; i < n; i++) {
      double t = n == 1 ? 0 : (double) i / (n - 1);
      out.add(format(Math.exp(lo + t * (hi - lo)), d.integer()));
    }
    return out;
  }

  private static List<Map<String, String>> random(SweepSpec spec) {
    SplittableRandom rng = new SplittableRandom(spec.searchSeed());
    List<Map<String, String>> out = new ArrayList<>();
    for (int t = 0; t < spec.trials(); t++) {
      Map<String, String> m = new LinkedHashMap<>();
      for (Map.Entry<String, Dimension> e : spec.space().entrySet()) {
        m.put(e.getKey(), sample(e.getValue(), rng));
      }
      out.add(m);
    }
    return out;
  }

  private static String sample(Dimension d, SplittableRandom rng) {
    if (d.values() != null || d.step() != null) {
      List<String> values = enumerate(d);
      return values.get(rng.nextInt(values.size()));
    }
    double u = rng.nextDouble();
    double v =
        d.log()
            ? Math.exp(Math.log(d.min()) + u * (Math.log(d.max()) - Math.log(d.min())))
            : d.min() + u * (d.max() - d.min());
    return format(v, d.integer());
  }

  /**
   * Writes a number the way a person would: whole numbers without a fraction, others with at most
   * four significant digits, without trailing zeros.
   *
   * @param v the value
   * @param integer whether to round to a whole number
   * @return the text
   */
  static String format(double v, boolean integer) {
    if (integer) {
      return Long.toString(Math.round(v));
    }
    BigDecimal d = new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros();
    if (d.scale() <= 0) {
      return d.toBigInteger().toString();
    }
    // Plain notation always: "1E-7" is not a number to every YAML parser, "0.0000001" is.
    return d.toPlainString();
  }
}
