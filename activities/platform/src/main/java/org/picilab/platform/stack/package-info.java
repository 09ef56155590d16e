/**
 * How a process of the platform finds the others: settings resolved from flags, environment and the
 * stack file of {@code pici up}; connections to Temporal, S3 and tracking; the embedded stack.
 */
package org.picilab.platform.stack;
