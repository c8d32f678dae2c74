/**
 * Function knowledge. A call of a function that is not built in is a stored function or a UDF
 * whose body the classifier cannot see: it may write, so such a statement is writes=true. Built-in
 * functions are read-only except the ones listed in SIDE_EFFECT_FUNCTIONS.
 */

/** Built-in functions that change server state (see README "Side-effect functions"). */
export const SIDE_EFFECT_FUNCTIONS: ReadonlySet<string> = new Set([
  "get_lock",
  "release_lock",
  "release_all_locks",
  "is_free_lock",
  "is_used_lock",
  "nextval",
  "setval",
]);

// biome-ignore format: a dense list reads better than one name per line
const BUILTINS = [
  // aggregate and window
  "avg", "bit_and", "bit_or", "bit_xor", "count", "group_concat", "json_arrayagg", "json_objectagg",
  "max", "min", "std", "stddev", "stddev_pop", "stddev_samp", "sum", "var_pop", "var_samp", "variance",
  "cume_dist", "dense_rank", "first_value", "lag", "last_value", "lead", "median", "nth_value", "ntile",
  "percent_rank", "percentile_cont", "percentile_disc", "rank", "row_number",
  // control flow and comparison
  "if", "ifnull", "nullif", "coalesce", "greatest", "least", "interval", "isnull", "nvl", "nvl2",
  "decode_oracle", "in", "case",
  // string
  "ascii", "bin", "bit_length", "char", "char_length", "character_length", "chr", "concat", "concat_ws",
  "elt", "export_set", "field", "find_in_set", "format", "from_base64", "hex", "insert", "instr", "lcase",
  "left", "length", "lengthb", "load_file", "locate", "lower", "lpad", "ltrim", "make_set", "mid",
  "natural_sort_key", "oct", "octet_length", "ord", "position", "quote", "regexp_instr", "regexp_like",
  "regexp_replace", "regexp_substr", "repeat", "replace", "reverse", "right", "rpad", "rtrim", "soundex",
  "space", "strcmp", "substr", "substring", "substring_index", "to_base64", "to_char", "trim", "ucase",
  "unhex", "upper", "weight_string", "sformat", "collation", "charset", "coercibility", "match",
  "against", "convert", "cast", "binary", "column_json", "column_create", "column_get", "column_add",
  "column_delete", "column_exists", "column_list", "column_check", "sounds", "crc32", "crc32c", "kdf",
  // numeric
  "abs", "acos", "asin", "atan", "atan2", "ceil", "ceiling", "conv", "cos", "cot", "degrees", "div",
  "exp", "floor", "ln", "log", "log10", "log2", "mod", "oct", "pi", "pow", "power", "radians", "rand",
  "round", "sign", "sin", "sqrt", "tan", "truncate",
  // date and time
  "adddate", "addtime", "convert_tz", "curdate", "current_date", "current_time", "current_timestamp",
  "curtime", "date", "date_add", "date_format", "date_sub", "datediff", "day", "dayname", "dayofmonth",
  "dayofweek", "dayofyear", "extract", "from_days", "from_unixtime", "get_format", "hour", "last_day",
  "localtime", "localtimestamp", "makedate", "maketime", "microsecond", "minute", "month", "monthname",
  "now", "period_add", "period_diff", "quarter", "sec_to_time", "second", "str_to_date", "subdate",
  "subtime", "sysdate", "time", "time_format", "time_to_sec", "timediff", "timestamp", "timestampadd",
  "timestampdiff", "to_days", "to_seconds", "unix_timestamp", "utc_date", "utc_time", "utc_timestamp",
  "week", "weekday", "weekofyear", "year", "yearweek", "add_months", "months_between", "trunc",
  // information and session
  "benchmark", "binlog_gtid_pos", "connection_id", "current_role", "current_user", "database",
  "decode_histogram", "default", "found_rows", "last_insert_id", "row_count", "schema", "session_user",
  "system_user", "user", "version", "lastval", "master_pos_wait", "master_gtid_wait", "sleep",
  "sys_guid", "uuid", "uuid_short", "sys_context", "values", "value", "nextval", "setval", "row",
  "get_lock", "release_lock", "release_all_locks", "is_free_lock", "is_used_lock", "exists",
  // encryption and hashing
  "aes_decrypt", "aes_encrypt", "compress", "decode", "des_decrypt", "des_encrypt", "encode", "encrypt",
  "md5", "old_password", "password", "random_bytes", "sha", "sha1", "sha2", "uncompress",
  "uncompressed_length",
  // json
  "json_array", "json_array_append", "json_array_insert", "json_array_intersect", "json_compact",
  "json_contains", "json_contains_path", "json_depth", "json_detailed", "json_equals", "json_exists",
  "json_extract", "json_insert", "json_keys", "json_length", "json_loose", "json_merge",
  "json_merge_patch", "json_merge_preserve", "json_normalize", "json_object", "json_object_filter_keys",
  "json_object_to_array", "json_overlaps", "json_pretty", "json_query", "json_quote", "json_remove",
  "json_replace", "json_schema_valid", "json_search", "json_set", "json_table", "json_type",
  "json_unquote", "json_valid", "json_value", "json_storage_size", "member",
  // geometry (the common ones)
  "point", "linestring", "polygon", "st_astext", "st_geomfromtext", "st_distance", "st_contains",
  "st_within", "st_intersects", "st_x", "st_y", "astext", "geomfromtext", "st_distance_sphere",
  "mbrcontains", "mbrwithin", "mbrintersects", "st_srid", "st_buffer", "st_area", "st_length",
  // misc
  "bit_count", "inet_aton", "inet_ntoa", "inet6_aton", "inet6_ntoa", "is_ipv4", "is_ipv6",
  "is_ipv4_compat", "is_ipv4_mapped", "name_const", "uuid_to_bin", "bin_to_uuid", "any_value",
  "grouping", "char_length", "wsrep_last_seen_gtid", "wsrep_last_written_gtid", "wsrep_sync_wait_upto_gtid",
  // types (CAST(x AS DECIMAL(10,2)), CONVERT(x, CHAR(10)))
  "decimal", "dec", "numeric", "float", "double", "int", "integer", "signed", "unsigned", "varchar",
  "nchar", "datetime", "time", "json", "bigint", "smallint", "tinyint", "year", "bit", "varbinary",
];

export const BUILTIN_FUNCTIONS: ReadonlySet<string> = new Set(BUILTINS);
