/** The PICI Lab worker and platform: activities, storage, tracking and the embedded stack. */
package org.picilab.activities;
