package org.picilab.workflows.sweep;

/** A sweep specification that cannot be used; the message names the field and what to do. */
public class SpecException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String field;

  /**
   * Creates the exception.
   *
   * @param field the dotted path of the field at fault
   * @param problem what is wrong and what would be accepted
   */
  public SpecException(String field, String problem) {
    super(field + ": " + problem);
    this.field = field;
  }

  /**
   * The field at fault.
   *
   * @return its dotted path
   */
  public String field() {
    return field;
  }
}
