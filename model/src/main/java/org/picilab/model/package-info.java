/** The science of PICI Lab: models, losses, training stages, data, clustering and metrics. */
package org.picilab.model;
