/**
 * User-pool rules shared by the CDK user pool and local mode's Cognito, so a password refused in
 * the cloud is refused locally too, tokens live as long and codes arrive in the same email in both.
 */
export const PASSWORD_POLICY = {
  minLength: 12,
  requireLowercase: true,
  requireUppercase: true,
  requireDigits: true,
  requireSymbols: true,
  tempPasswordValidityDays: 7,
} as const;

export const TOKEN_VALIDITY = { accessTokenMinutes: 60, idTokenMinutes: 60, refreshTokenDays: 30 } as const;

/** The email that carries a sign-up or password-reset code (`{####}` is the code). */
export const VERIFICATION_EMAIL = { subject: 'Your verification code', body: 'Your verification code is {####}' } as const;

/** The symbols Cognito counts as special characters. */
export const PASSWORD_SYMBOLS = '^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+- ';

/** Why `password` breaks the policy, in Cognito's words, or undefined when it complies. */
export function passwordPolicyViolation(password: string): string | undefined {
  const problems: string[] = [];
  if (password.length < PASSWORD_POLICY.minLength) problems.push(`be at least ${PASSWORD_POLICY.minLength} characters long`);
  if (PASSWORD_POLICY.requireLowercase && !/[a-z]/.test(password)) problems.push('contain a lower case letter');
  if (PASSWORD_POLICY.requireUppercase && !/[A-Z]/.test(password)) problems.push('contain an upper case letter');
  if (PASSWORD_POLICY.requireDigits && !/[0-9]/.test(password)) problems.push('contain a number');
  if (PASSWORD_POLICY.requireSymbols && ![...password].some((char) => PASSWORD_SYMBOLS.includes(char))) {
    problems.push('contain a symbol');
  }
  return problems.length ? `Password does not conform to policy: it must ${problems.join(', ')}.` : undefined;
}
