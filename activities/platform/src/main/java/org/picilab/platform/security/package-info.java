/**
 * What keeps credentials out of sight: {@link org.picilab.platform.security.Redact} masks the
 * secrets that URIs and keys carry before they reach a log line, an error message, a record or a
 * banner.
 */
package org.picilab.platform.security;
