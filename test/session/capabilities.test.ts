import { describe, expect, it } from "vitest";
import { Capability } from "../../src/protocol/constants.js";
import {
  offeredCapabilities,
  PROFILE_FLAGS,
  parseProfileKey,
  profileKey,
  profileOf,
  SERVER_PROVIDED_FLAGS,
} from "../../src/session/capabilities.js";

describe("capability flags", () => {
  it("offers SSL only with a certificate, never COMPRESS, and every pass-through flag", () => {
    expect(offeredCapabilities(true) & Capability.Ssl).toBe(Capability.Ssl);
    expect(offeredCapabilities(false) & Capability.Ssl).toBe(0);
    expect(offeredCapabilities(true) & Capability.Compress).toBe(0);
    expect((offeredCapabilities(false) & PROFILE_FLAGS) >>> 0).toBe(PROFILE_FLAGS);
  });

  it("a profile keeps only the flags that change the backend's behaviour, and round-trips as a key", () => {
    const negotiated =
      Capability.Protocol41 |
      Capability.DeprecateEof |
      Capability.MultiResults |
      Capability.Ssl |
      Capability.ConnectAttrs;
    const p = profileOf(negotiated, 224);
    expect(p.capabilities).toBe((Capability.DeprecateEof | Capability.MultiResults) >>> 0);
    expect(parseProfileKey(profileKey(p))).toEqual(p);
    expect(profileKey(profileOf(negotiated & ~Capability.DeprecateEof, 224))).not.toBe(profileKey(p));
  });

  it("clients with and without SESSION_TRACK share a profile (backends always track; Sluice strips)", () => {
    const negotiated = Capability.Protocol41 | Capability.DeprecateEof | Capability.MultiResults;
    expect(profileKey(profileOf(negotiated | Capability.SessionTrack, 45))).toBe(
      profileKey(profileOf(negotiated, 45)),
    );
    expect(SERVER_PROVIDED_FLAGS & Capability.SessionTrack).toBe(Capability.SessionTrack);
    expect((SERVER_PROVIDED_FLAGS & PROFILE_FLAGS) >>> 0).toBe(PROFILE_FLAGS);
  });
});
