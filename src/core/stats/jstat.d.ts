// jstat ships no types; declare only what we call, so a typo is still a type error.
declare module "jstat" {
  const jStat: {
    studentt: { inv(p: number, dof: number): number; cdf(x: number, dof: number): number };
    normal: { cdf(x: number, mean: number, sd: number): number; inv(p: number, mean: number, sd: number): number };
    chisquare: { cdf(x: number, dof: number): number };
    gammaln(x: number): number;
    erfc(x: number): number;
    ibeta(x: number, a: number, b: number): number;
  };
  export default jStat;
}
