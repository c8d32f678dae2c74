/** The decision tree as plain data: serialisable, printable, hashable. */
import type { DimData } from "../domain/dimensions.js";

export type TreeNode =
  /** go to children[class of the input's value on dims[dim]] */
  | { readonly kind: "switch"; readonly dim: number; readonly children: readonly number[] }
  /** rule index, or -1 for the default */
  | { readonly kind: "leaf"; readonly rule: number }
  /** past the size budget: try these rules' conditions in order (they already hold the path's tests) */
  | { readonly kind: "scan"; readonly rules: readonly number[] };

export interface TreeData {
  readonly dims: readonly DimData[];
  readonly nodes: readonly TreeNode[];
  readonly root: number;
}
