/** The controller's light activities: registry records and the sweep's tracked parent run. */
package org.picilab.platform.control;
