/**
 * Objects over the S3 API: the object store (MinIO Java client, any S3 endpoint), checkpoints of
 * training runs with atomic visibility and fallback past damage, artifacts, and the embedded S3
 * endpoint of {@code pici up}.
 */
package org.picilab.platform.store;
