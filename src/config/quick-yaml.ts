/**
 * A deployment file's data without yaml's Document.
 *
 * yaml's parseDocument keeps every node with its position, which is what error messages need,
 * and costs it: 0.6 s of a 500-group synth for a 145 KB file. js-yaml's event parser reads the
 * same file in a tenth of that but keeps no positions. So the loader reads a file here first and
 * trusts the result only for a file that then passes every check; any problem is reported from a
 * second, yaml-based load, exactly as before.
 *
 * Both parsers follow YAML 1.2, but they are two implementations, so this one reads only what it
 * can read as yaml does, and declines (undefined) everything else:
 * - anchors, aliases, tags and directives (yaml expands aliases into copies under a limit and
 *   switches schema on %YAML 1.1);
 * - keys that are collections or null (yaml writes those keys in its own way);
 * - anything js-yaml throws on: syntax errors, duplicate keys, more than one document, depth > 100.
 * Plain scalars are typed by yaml's own core schema rules (below, not js-yaml's: the two differ
 * on integers too large for a double and on `1e400`). quick-yaml.test.ts compares the two
 * readers on every shipped file and on generated scalars and documents.
 */
import { constructFromEvents, defineMappingTag, defineScalarTag, EVENT_ID, FAILSAFE_SCHEMA, NOT_RESOLVED, parseEvents, type Event } from "js-yaml";

const loadOnly = () => false;

/** yaml 2's core schema, tag by tag (yaml/dist/schema/core): the same tests and conversions. */
const nullTag = defineScalarTag("tag:yaml.org,2002:null", {
  implicit: true,
  implicitFirstChars: ["", "~", "n", "N"],
  resolve: (s) => (/^(?:~|[Nn]ull|NULL)?$/.test(s) ? null : NOT_RESOLVED),
  identify: loadOnly,
});
const boolTag = defineScalarTag("tag:yaml.org,2002:bool", {
  implicit: true,
  implicitFirstChars: ["t", "T", "f", "F"],
  resolve: (s) => (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s) ? s[0] === "t" || s[0] === "T" : NOT_RESOLVED),
  identify: loadOnly,
});
const intTag = defineScalarTag("tag:yaml.org,2002:int", {
  implicit: true,
  implicitFirstChars: ["-", "+", ..."0123456789"],
  resolve: (s) => {
    if (/^0o[0-7]+$/.test(s)) return parseInt(s.slice(2), 8);
    if (/^[-+]?[0-9]+$/.test(s)) return parseInt(s, 10);
    if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.slice(2), 16);
    return NOT_RESOLVED;
  },
  identify: loadOnly,
});
const floatTag = defineScalarTag("tag:yaml.org,2002:float", {
  implicit: true,
  implicitFirstChars: ["-", "+", ".", ..."0123456789"],
  resolve: (s) => {
    if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s)) return s.slice(-3).toLowerCase() === "nan" ? NaN : s[0] === "-" ? -Infinity : Infinity;
    if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s) || /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)) return parseFloat(s);
    return NOT_RESOLVED;
  },
  identify: loadOnly,
});

/** A plain object per mapping, keys as yaml's toJS writes them; null and collection keys refused. */
const mapTag = defineMappingTag<Record<string, unknown>>("tag:yaml.org,2002:map", {
  create: () => ({}),
  identify: loadOnly,
  addPair: (map, key, value) => {
    if (key === null || typeof key === "object") return "a null or collection key";
    const name = String(key);
    // As yaml does: an own property even for "__proto__", never the prototype.
    if (name in map) Object.defineProperty(map, name, { value, writable: true, enumerable: true, configurable: true });
    else map[name] = value;
    return "";
  },
  has: (map, key) => Object.prototype.hasOwnProperty.call(map, String(key)),
  keys: (map) => Object.keys(map),
  get: (map, key) => map[String(key)],
});

const SCHEMA = FAILSAFE_SCHEMA.withTags(nullTag, boolTag, intTag, floatTag, mapTag);

/**
 * Text where the two parsers were seen to differ (quick-yaml.test.ts's generated documents):
 * tabs, which yaml refuses as indentation where js-yaml allows them; `---` or `...` markers past
 * the first line; block scalars with an explicit indentation indicator (`|2`); and lines of only
 * spaces, which the two end a block scalar on differently.
 */
const TEXT_YAML_ONLY = /\t|[|>][-+]?[0-9]|^ +\r?$|(?:\n|^ +)(?:---|\.\.\.)|^---[ ]*[^\s#]|^\.\.\./m;

/** Whether the events use anything this reader leaves to yaml: anchors, aliases, tags, directives, a root that is not a mapping. */
function usesYamlOnlyFeatures(events: readonly Event[]): boolean {
  let documents = 0;
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    switch (event.type) {
      case EVENT_ID.DOCUMENT:
        if (++documents > 1 || event.directives.length) return true;
        // A deployment is a mapping; any other root goes to yaml, which says so with a position.
        if (events[i + 1]?.type !== EVENT_ID.MAPPING) return true;
        break;
      case EVENT_ID.ALIAS:
        return true;
      case EVENT_ID.POP:
        break;
      default:
        if (event.anchorStart !== -1 || event.tagStart !== -1) return true;
    }
  }
  return documents !== 1;
}

/** The file's data read as yaml reads it, or undefined where only yaml can say (see above). */
export function quickYaml(source: string): unknown {
  if (TEXT_YAML_ONLY.test(source)) return undefined;
  try {
    const events = parseEvents(source, {});
    if (usesYamlOnlyFeatures(events)) return undefined;
    const [data] = constructFromEvents(events, { source, schema: SCHEMA });
    return data;
  } catch {
    return undefined;
  }
}
