/** Optimisers whose whole state can be exported to a checkpoint and restored exactly. */
package org.picilab.model.optim;
