/**
 * A parameter's values over the navigation space, flat in C order. A
 * multi-valued parameter (Polynomial coefficients) keeps `length` values per
 * pixel: values[pixel * length + j].
 */
export interface ParameterMap {
  values: Float64Array;
  std: Float64Array;
  /** 1 where the pixel holds a fitted or assigned value. */
  isSet: Uint8Array;
}

export function createParameterMap(navigationSize: number, length: number): ParameterMap {
  return {
    values: new Float64Array(navigationSize * length),
    std: new Float64Array(navigationSize * length).fill(NaN),
    isSet: new Uint8Array(navigationSize),
  };
}
