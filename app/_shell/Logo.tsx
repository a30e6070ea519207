/** The product mark (same drawing as app/icon.svg), inline so it costs no request. */
export function Logo({ size = 22 }: { size?: number }) {
  return (
    <svg aria-hidden viewBox="0 0 32 32" width={size} height={size}>
      <rect width="32" height="32" rx="6" fill="#1e293b" />
      <circle cx="9" cy="16" r="3.5" fill="#38bdf8" />
      <circle cx="23" cy="8" r="3" fill="#a5b4fc" />
      <circle cx="23" cy="16" r="3" fill="#a5b4fc" />
      <circle cx="23" cy="24" r="3" fill="#a5b4fc" />
      <path d="M12 15l8-6M12.5 16h7.5M12 17l8 6" stroke="#e2e8f0" strokeWidth="1.6" strokeLinecap="round" />
    </svg>
  );
}
