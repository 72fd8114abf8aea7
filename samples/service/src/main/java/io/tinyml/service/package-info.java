/**
 * The optimization service: a REST API (Javalin) over a relational database (H2 embedded by default,
 * PostgreSQL by JDBC URL) whose job rows are claimed by workers running the SDK's pipeline
 * (read → prune → quantize → estimate → codegen), with accounts, tiers and quotas, Server-Sent Events
 * of job progress and a web page. A sample program: {@code ./tinyml-service serve}.
 */
package io.tinyml.service;
