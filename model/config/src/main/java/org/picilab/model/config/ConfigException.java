package org.picilab.model.config;

/**
 * A configuration value that cannot be used. The message names the setting (as a dotted path such
 * as {@code epochs.train}) and says what would be accepted.
 */
public class ConfigException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String field;

  /**
   * Creates the exception.
   *
   * @param field the dotted path of the setting, or a file name
   * @param problem what is wrong and what to do
   */
  public ConfigException(String field, String problem) {
    super(field + ": " + problem);
    this.field = field;
  }

  /**
   * The setting at fault.
   *
   * @return its dotted path
   */
  public String field() {
    return field;
  }
}
