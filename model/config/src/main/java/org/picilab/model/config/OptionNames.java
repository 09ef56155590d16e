package org.picilab.model.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Maps enum constants to the lower-case, hyphenated names used in configuration files and on the
 * command line ({@code DOUBLE_SOFTMAX} is written {@code double-softmax}).
 */
public final class OptionNames {

  private OptionNames() {}

  /**
   * The option name of a constant.
   *
   * @param value the constant
   * @return its lower-case, hyphenated name
   */
  public static String of(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * Parses an option name, ignoring case and accepting '_' for '-'.
   *
   * @param type the enum class
   * @param text the name
   * @param <E> the enum type
   * @return the constant
   * @throws IllegalArgumentException naming the valid choices when nothing matches
   */
  public static <E extends Enum<E>> E parse(Class<E> type, String text) {
    String wanted = text == null ? "" : text.trim().replace('-', '_').toUpperCase(Locale.ROOT);
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(wanted)) {
        return e;
      }
    }
    throw new IllegalArgumentException("'" + text + "' is not one of: " + choices(type));
  }

  /**
   * The valid names of an enum, comma-separated.
   *
   * @param type the enum class
   * @return e.g. "sincos, learned"
   */
  public static String choices(Class<? extends Enum<?>> type) {
    return Arrays.stream(type.getEnumConstants())
        .map(OptionNames::of)
        .collect(Collectors.joining(", "));
  }
}
