/**
 * The PICI Lab worker and application: training activities that drive the model, the worker process
 * that hosts them, and the {@code pici} command line. Everything that needs no engine lives in the
 * platform layer ({@code org.picilab.platform}).
 */
package org.picilab.activities;
