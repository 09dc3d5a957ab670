//! A macro for code values that have names but must keep unknown values (so encoding is exact).

/// Defines a `Copy` enum over a `u8`/`u16` code with named variants and `Other(code)`.
macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident : $repr:ty { $($(#[$vm:meta])* $var:ident = $val:literal => $txt:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* #[doc = $txt] $var,)*
            /// A value this crate has no name for.
            Other($repr),
        }
        impl $name {
            /// The code as stored.
            pub fn code(self) -> $repr {
                match self {
                    $($name::$var => $val,)*
                    $name::Other(v) => v,
                }
            }
            /// The variant for a stored code.
            pub fn from_code(v: $repr) -> Self {
                match v {
                    $($val => $name::$var,)*
                    other => $name::Other(other),
                }
            }
            /// A human-readable name.
            pub fn name(self) -> String {
                match self {
                    $($name::$var => $txt.to_string(),)*
                    $name::Other(v) => format!("code {v}"),
                }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.name())
            }
        }
    };
}
pub(crate) use code_enum;
