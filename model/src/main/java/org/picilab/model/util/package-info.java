/** Small utilities shared by the model packages: names of options, seeds, hashing. */
package org.picilab.model.util;
